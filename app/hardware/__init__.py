"""Scanner burst assembly and scale protocols, Qt-free so they can be tested without a screen."""
