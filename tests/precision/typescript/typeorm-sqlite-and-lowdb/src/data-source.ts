import "reflect-metadata";
import { DataSource } from "typeorm";
import { Note } from "./note";

export const AppDataSource = new DataSource({
  type: "sqlite",
  database: "notes.sqlite",
  entities: [Note],
  synchronize: true,
});

export const TestDataSource = new DataSource({
  type: "sqlite",
  database: ":memory:",
  entities: [Note],
  synchronize: true,
});
