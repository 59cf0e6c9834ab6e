import { Injectable, Logger } from "@nestjs/common";
import { Cron, CronExpression } from "@nestjs/schedule";

@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);

  @Cron(CronExpression.EVERY_DAY_AT_MIDNIGHT)
  async buildDailyReport(): Promise<void> {
    this.logger.log("building the daily report");
  }
}
