"""Comment moderation: the rules that judge a new comment, and the actions moderators take."""
