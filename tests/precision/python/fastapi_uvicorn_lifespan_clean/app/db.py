import os

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///:memory:"), pool_pre_ping=True)
Session = async_sessionmaker(engine, expire_on_commit=False)
