module example.com/fiber-gorm-sqlite

go 1.22

require (
	github.com/gofiber/fiber/v2 v2.52.5
	github.com/glebarez/sqlite v1.11.0
	gorm.io/gorm v1.25.12
)
