"""The coach's home: today's calls and what needs attention."""
