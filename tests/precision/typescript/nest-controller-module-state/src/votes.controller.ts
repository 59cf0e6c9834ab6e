import { Body, Controller, Delete, Get, Param, Post } from "@nestjs/common";

interface Vote {
  option: string;
  voter: string;
}

const votes: Vote[] = [];
const tally = new Map<string, number>();
const optionLabelCache = new Map<string, string>();

@Controller("votes")
export class VotesController {
  @Post()
  cast(@Body() vote: Vote): { total: number } {
    votes.push(vote);
    tally.set(vote.option, (tally.get(vote.option) ?? 0) + 1);
    optionLabelCache.set(vote.option, vote.option.toUpperCase());
    return { total: votes.length };
  }

  @Get(":option")
  count(@Param("option") option: string): number {
    return tally.get(option) ?? 0;
  }

  @Delete()
  reset(): void {
    votes.length = 0;
    tally.clear();
  }
}
