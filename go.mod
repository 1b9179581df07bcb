module github.com/querylens/querylens

go 1.26.8

require (
	github.com/DataDog/go-sqllexer v0.2.6
	github.com/cespare/xxhash/v2 v2.3.0
	github.com/hashicorp/golang-lru/v2 v2.0.7
)

require github.com/stretchr/testify v1.12.1 // indirect
