package main

import (
	"fmt"
	"log"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

const grpcPort = 50051

func main() {
	lis, err := net.Listen("tcp", fmt.Sprintf(":%d", grpcPort))
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	metrics, err := net.Listen("unix", "/tmp/metrics.sock")
	if err != nil {
		log.Fatalf("metrics socket: %v", err)
	}
	defer metrics.Close()

	s := grpc.NewServer()
	healthpb.RegisterHealthServer(s, health.NewServer())
	log.Printf("gRPC on %s", lis.Addr())
	if err := s.Serve(lis); err != nil {
		log.Fatal(err)
	}
}
