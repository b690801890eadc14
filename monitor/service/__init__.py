"""The daemon: one supervisor owning every long-lived task, and the pipeline they feed."""
