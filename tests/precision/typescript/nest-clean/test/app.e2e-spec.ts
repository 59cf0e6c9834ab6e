import { Test } from "@nestjs/testing";
import { AppModule } from "../src/app.module";

describe("cats", () => {
  it("starts", async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication();
    await app.listen(3001);
    await app.close();
  });
});
