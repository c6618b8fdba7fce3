"""`invoke bench`: a generated archive, built by us and by vanilla Pelican, measured."""
