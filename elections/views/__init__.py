"""HTML pages of elections: the elections blueprint and the recall blueprint."""
