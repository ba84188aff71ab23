# Installs Meta's Robyn for the Robyn-in-R engine (used by the Docker image's `robyn` target;
# run it by hand on a worker the same way). Most of Robyn's dependencies should come from
# Debian (r-cran-* packages, see the Dockerfile); what is missing is built from CRAN.
#
#   ROBYN_VERSION=3.12.1 Rscript r/install_robyn.R          # that version from CRAN
#   ROBYN_GITHUB_REF=main Rscript r/install_robyn.R         # facebookexperimental/Robyn/R
#
# Robyn's Python dependency nevergrad comes from requirements.txt; point reticulate at that
# Python with RETICULATE_PYTHON. `Rscript r/run_robyn.R --check` then confirms a run can start.

options(repos = c(CRAN = "https://cloud.r-project.org"), Ncpus = parallel::detectCores())
if (!requireNamespace("remotes", quietly = TRUE)) install.packages("remotes")

github_ref <- Sys.getenv("ROBYN_GITHUB_REF")
if (nzchar(github_ref)) {
  remotes::install_github(paste0("facebookexperimental/Robyn/R@", github_ref), upgrade = "never")
} else {
  remotes::install_version("Robyn", version = Sys.getenv("ROBYN_VERSION", "3.12.1"),
                           upgrade = "never")
}
if (!requireNamespace("Robyn", quietly = TRUE)) {
  stop("Robyn did not install; see the messages above.")
}
cat("Installed Robyn", as.character(utils::packageVersion("Robyn")), "\n")
