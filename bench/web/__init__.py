"""The web client's performance budget: the chat page's JavaScript, first contentful paint, first token on screen."""
