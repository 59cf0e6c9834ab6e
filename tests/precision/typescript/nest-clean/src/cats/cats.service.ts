import { Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import { Repository } from "typeorm";
import { Cat } from "./cat.entity";
import { CreateCatDto } from "./create-cat.dto";

@Injectable()
export class CatsService {
  private readonly recent: Cat[] = [];

  constructor(@InjectRepository(Cat) private readonly repo: Repository<Cat>) {}

  async create(dto: CreateCatDto): Promise<Cat> {
    const cat = await this.repo.save(this.repo.create(dto));
    this.recent.unshift(cat);
    return cat;
  }

  findAll(): Promise<Cat[]> {
    return this.repo.find();
  }
}
