import { Body, Controller, Get, Post } from "@nestjs/common";
import { CatsService } from "./cats.service";
import { CreateCatDto } from "./create-cat.dto";

@Controller("cats")
export class CatsController {
  constructor(private readonly cats: CatsService) {}

  @Post()
  async create(@Body() dto: CreateCatDto): Promise<void> {
    await this.cats.create(dto);
  }

  @Get()
  findAll() {
    return this.cats.findAll();
  }
}
