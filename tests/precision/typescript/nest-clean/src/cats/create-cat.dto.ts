export class CreateCatDto {
  readonly name!: string;
}
