"""The lab's web application, served by the daemon: pages behind a login, in French and English."""
