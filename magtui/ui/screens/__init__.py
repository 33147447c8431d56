"""One screen per module; each is imported only when its area is first opened."""
