"use client";

import { useEffect, useState } from "react";

const ticker = setInterval(() => window.dispatchEvent(new Event("tick")), 1000);

export function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(id);
  }, []);
  return <time>{now.toLocaleTimeString()}</time>;
}

export { ticker };
