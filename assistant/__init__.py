"""Chat with a document collection; every claim cites its source paragraph."""
