"""The site shell: home, health and accounts. It sits on top and may import every app."""
