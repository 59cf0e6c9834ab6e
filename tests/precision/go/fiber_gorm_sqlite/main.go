package main

import (
	"log"

	"github.com/gofiber/fiber/v2"
)

func main() {
	db := openDatabase()
	app := fiber.New(fiber.Config{AppName: "todo"})

	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/todos", func(c *fiber.Ctx) error {
		var todos []Todo
		db.Find(&todos)
		return c.JSON(todos)
	})
	app.Post("/todos", func(c *fiber.Ctx) error {
		var todo Todo
		if err := c.BodyParser(&todo); err != nil {
			return fiber.ErrBadRequest
		}
		db.Create(&todo)
		return c.JSON(todo)
	})

	log.Fatal(app.Listen(":3000"))
}
