"""reportpipe: Chinese statistical and industry reports into clean, validated, citable tables."""

__version__ = "0.1.0"
