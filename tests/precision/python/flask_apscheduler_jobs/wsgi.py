from rates import create_app

app = create_app()
