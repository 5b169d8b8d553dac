"""The ground floor: everything read from content/ (topics, questions, sample events and
handlers, limits, prices, [[tokens]]), parsed once into frozen dataclasses.

Every app may import it; it imports no feature app, so the web apps above it never loop.
"""
