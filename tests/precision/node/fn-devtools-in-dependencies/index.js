"use strict";

const { z } = require("zod");

const Note = z.object({ title: z.string().min(1), body: z.string().default("") });

exports.main = async (event) => {
  const parsed = Note.safeParse(event);
  if (!parsed.success) {
    return { statusCode: 400, body: { error: parsed.error.issues[0].message } };
  }
  return { note: parsed.data };
};
