"""Plans: drafted by gutbrain, edited and published by the practitioner (versioned)."""
