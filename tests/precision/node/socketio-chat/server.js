const http = require("http");
const express = require("express");
const { Server } = require("socket.io");

const app = express();
const server = http.createServer(app);
const io = new Server(server, { cors: { origin: process.env.ALLOWED_ORIGIN } });

// Open connections have to live in the process that holds the sockets.
const onlineUsers = new Map();

io.on("connection", (socket) => {
  onlineUsers.set(socket.id, socket.handshake.auth.name);
  socket.on("message", (text) => io.emit("message", { from: onlineUsers.get(socket.id), text }));
  socket.on("disconnect", () => onlineUsers.delete(socket.id));
});

app.get("/online", (req, res) => res.json([...onlineUsers.values()]));

const { PORT = 8080 } = process.env;
server.listen(PORT, () => console.log(`chat on ${PORT}`));
