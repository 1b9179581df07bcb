from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

books_tags = Table(
    "books_tags",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("book_id", ForeignKey("books.id"), nullable=False),
    Column("tag_id", ForeignKey("tags.id"), nullable=False),
)


class Author(Base):
    __tablename__ = "authors"
    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    email = Column(String(200), nullable=False)
    bio = Column(Text, nullable=False)
    books = relationship("Book", back_populates="author")


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)


class Book(Base):
    __tablename__ = "books"
    id = Column(Integer, primary_key=True)
    title = Column(String(300), nullable=False)
    author_id = Column(ForeignKey("authors.id"), nullable=False)
    published_at = Column(Date, nullable=False)
    pages = Column(Integer, nullable=False)
    author = relationship("Author", back_populates="books")
    tags = relationship("Tag", secondary=books_tags)


class Setting(Base):
    """Site settings, one row per key (the default currency, the site name)."""

    __tablename__ = "settings"
    id = Column(Integer, primary_key=True)
    key = Column(String(50), nullable=False)
    value = Column(String(200), nullable=False)
