"""The tools Amr uses: typed async functions shared by every brain."""
