"""The public, no-login part of the site: published disclosure reports and hospital notices."""
