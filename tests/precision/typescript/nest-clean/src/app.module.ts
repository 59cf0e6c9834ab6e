import { Module } from "@nestjs/common";
import { TypeOrmModule } from "@nestjs/typeorm";
import { CatsModule } from "./cats/cats.module";

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: "mysql",
      url: process.env.DATABASE_URL,
      autoLoadEntities: true,
    }),
    CatsModule,
  ],
})
export class AppModule {}
