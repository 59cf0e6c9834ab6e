import { Clock } from "./Clock";

export function App<T extends string>({ title }: { title: T }) {
  return (
    <main>
      <h1>{title}</h1>
      <Clock />
    </main>
  );
}
