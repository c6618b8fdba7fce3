"""Media: the library of photos, videos and documents, their descriptions, renditions and album ZIPs."""
