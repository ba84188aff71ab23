# Kiri's Robyn-in-R template: one model run with Meta's Robyn (3.12).
#
#   Rscript r/run_robyn.R <input.csv> <config.json> <outdir>
#   Rscript r/run_robyn.R --check     (exit 0 and `KIRI_ROBYN_VERSION <v>` if a run can start)
#
# Reads the same config.json keys as `python -m kiri_core fit` (date_column, revenue_column,
# spend_columns, context_columns, organic_columns, adstock, prophet_vars, prophet_country,
# window_start, window_end, dep_var_type, hyperparameter_bounds, calibration, ts_validation,
# iterations, trials, seed) plus the optional `exposure_columns` ({"facebook_S": "facebook_I"}:
# model a channel on an exposure metric, as Robyn's paid_media_vars). Runs robyn_inputs ->
# robyn_run -> robyn_outputs(csv_out = "pareto", clusters = TRUE) -> robyn_write and
# robyn_allocator (max_response, target_efficiency) for the selected model, writing Robyn's
# CSVs and RobynModel-<id>.json to <outdir>/robyn/.
#
# Protocol with kiri_core.robyn_r (stdout, one line each):
#   KIRI_PROGRESS <fraction 0..1>     progress of the run
#   KIRI_TRIAL <k> <n>                robyn_run started trial k of n
#   KIRI_SELECTED <solID>             the model picked for export and allocation
#   KIRI_OUTPUT <folder>              where the files are, once everything is written
# On stderr, a failure ends with one line `KIRI_ERROR <message>`.
# Exit codes: 0 done, 1 Robyn failed, 2 bad usage or config, 3 a required R package
# (Robyn, jsonlite) or Robyn's Python module nevergrad is missing.

EXIT_FAILED <- 1L
EXIT_USAGE <- 2L
EXIT_MISSING <- 3L

fail <- function(message, status) {
  cat("KIRI_ERROR ", gsub("[\r\n]+", " ", message), "\n", sep = "", file = stderr())
  quit(save = "no", status = status)
}

emit <- function(key, value) {
  cat(key, " ", value, "\n", sep = "")
  flush(stdout())
}

emit_progress <- function(fraction) emit("KIRI_PROGRESS", sprintf("%.3f", fraction))

require_packages <- function() {
  for (pkg in c("Robyn", "jsonlite")) {
    if (!requireNamespace(pkg, quietly = TRUE)) {
      fail(sprintf(paste(
        "the R package '%s' is not installed; install it (install.packages(\"%s\"))",
        "or build the Docker image's 'robyn' target."
      ), pkg, pkg), EXIT_MISSING)
    }
  }
  if (!reticulate::py_module_available("nevergrad")) {
    fail(paste(
      "Robyn is installed but its Python dependency nevergrad is not available to",
      "reticulate; install it (reticulate::py_install(\"nevergrad\", pip = TRUE))",
      "or build the Docker image's 'robyn' target."
    ), EXIT_MISSING)
  }
}

`%or%` <- function(value, default) if (is.null(value) || length(value) == 0) default else value

# Default bounds where the config gives none: the Python engine's defaults
# (kiri_core/engine/search.py DEFAULT_BOUNDS). Runs from the worker get every bound spelled
# out by kiri_core.robyn_r.adapter.robyn_config; these matter only for runs by hand.
DEFAULT_BOUNDS <- list(
  geometric = list(alpha = c(0.5, 3), gamma = c(0.01, 1), theta = c(0, 0.8)),
  weibull_cdf = list(alpha = c(0.5, 3), gamma = c(0.01, 1), shape = c(0.0001, 2),
                     scale = c(0, 0.1)),
  weibull_pdf = list(alpha = c(0.5, 3), gamma = c(0.01, 1), shape = c(0.0001, 10),
                     scale = c(0, 0.1))
)

media_vars <- function(cfg) {
  spends <- unlist(cfg$spend_columns)
  exposures <- cfg$exposure_columns %or% list()
  vapply(spends, function(s) exposures[[s]] %or% s, character(1), USE.NAMES = FALSE)
}

# Robyn's `hyperparameters` list: `<model var>_<param>s = c(low, high)` (one number = fixed)
# for every paid and organic column, from `hyperparameter_bounds` ({column: {param: bounds}},
# Kiri's singular names) or the defaults; `train_size` when ts_validation is on.
hyperparameters <- function(cfg, adstock) {
  defaults <- DEFAULT_BOUNDS[[adstock]]
  bounds <- cfg$hyperparameter_bounds %or% list()
  columns <- c(unlist(cfg$spend_columns), unlist(cfg$organic_columns))
  names_in_model <- c(media_vars(cfg), unlist(cfg$organic_columns))
  out <- list()
  for (i in seq_along(columns)) {
    given <- bounds[[columns[i]]] %or% list()
    unknown <- setdiff(names(given), names(defaults))
    if (length(unknown) > 0) {
      fail(sprintf("hyperparameter_bounds for %s: %s not a parameter of %s adstock (use %s)",
                   columns[i], paste(unknown, collapse = ", "), adstock,
                   paste(names(defaults), collapse = ", ")), EXIT_USAGE)
    }
    for (param in names(defaults)) {
      value <- unique(as.numeric(unlist(given[[param]] %or% defaults[[param]])))
      out[[paste0(names_in_model[i], "_", param, "s")]] <- value
    }
  }
  if (isTRUE(cfg$ts_validation)) {
    out$train_size <- unique(as.numeric(unlist(bounds$train_size %or% c(0.5, 0.8))))
  }
  out
}

calibration_input <- function(cfg, data) {
  studies <- cfg$calibration %or% list()
  if (length(studies) == 0) return(NULL)
  rows <- lapply(studies, function(study) {
    in_study <- data[[cfg$date_column]] >= study$start & data[[cfg$date_column]] <= study$end
    channels <- strsplit(study$channel, "+", fixed = TRUE)[[1]]
    data.frame(
      channel = study$channel,
      liftStartDate = as.Date(study$start),
      liftEndDate = as.Date(study$end),
      liftAbs = as.numeric(study$lift),
      spend = as.numeric(study$spend %or% sum(as.matrix(data[in_study, channels, drop = FALSE]))),
      confidence = as.numeric(study$confidence %or% 0.9),
      metric = cfg$revenue_column,
      calibration_scope = study$scope %or% "immediate",
      stringsAsFactors = FALSE
    )
  })
  do.call(rbind, rows)
}

factor_columns <- function(data, columns) {
  columns[vapply(columns, function(column) !is.numeric(data[[column]]), logical(1))]
}

build_inputs <- function(data, cfg) {
  adstock <- cfg$adstock %or% "geometric"
  if (!adstock %in% names(DEFAULT_BOUNDS)) {
    fail(sprintf("adstock must be one of %s, got '%s'",
                 paste(names(DEFAULT_BOUNDS), collapse = ", "), adstock), EXIT_USAGE)
  }
  dates <- data[[cfg$date_column]]
  country <- cfg$prophet_country %or% NULL
  context <- unlist(cfg$context_columns) %or% NULL
  organic <- unlist(cfg$organic_columns) %or% NULL
  Robyn::robyn_inputs(
    dt_input = data,
    dt_holidays = Robyn::dt_prophet_holidays,
    date_var = cfg$date_column,
    dep_var = cfg$revenue_column,
    dep_var_type = cfg$dep_var_type %or% "revenue",
    prophet_vars = if ("prophet_vars" %in% names(cfg)) unlist(cfg$prophet_vars) else
      c("trend", "season", if (!is.null(country)) "holiday"),
    prophet_country = country,
    context_vars = context,
    paid_media_spends = unlist(cfg$spend_columns),
    paid_media_vars = media_vars(cfg),
    organic_vars = organic,
    factor_vars = factor_columns(data, c(context, organic)) %or% NULL,
    window_start = cfg$window_start %or% min(dates),
    window_end = cfg$window_end %or% max(dates),
    adstock = adstock,
    hyperparameters = hyperparameters(cfg, adstock),
    calibration_input = calibration_input(cfg, data)
  )
}

# Robyn reports each trial's start as a message; pass it on as `KIRI_TRIAL k n` (the adapter
# maps trials and Robyn's progress bar within each onto 10-85% of the run).
with_trial_progress <- function(expr) {
  withCallingHandlers(expr, message = function(m) {
    trial <- regmatches(conditionMessage(m), regexec("Running trial ([0-9]+) of ([0-9]+)",
                                                     conditionMessage(m)))[[1]]
    if (length(trial) == 3) emit("KIRI_TRIAL", paste(trial[2], trial[3]))
  })
}

# The recommended model: among the cluster winners, the lowest combined error, each error
# (NRMSE, DECOMP.RSSD and, when calibrated, MAPE) min-max scaled over all Pareto models.
select_model <- function(OutputCollect, calibrated) {
  hyp <- OutputCollect$resultHypParam
  errors <- c("nrmse", "decomp.rssd", if (calibrated) "mape")
  scaled <- sapply(errors, function(e) {
    span <- max(hyp[[e]]) - min(hyp[[e]])
    if (span > 0) (hyp[[e]] - min(hyp[[e]])) / span else 0 * hyp[[e]]
  })
  distance <- sqrt(rowSums(matrix(scaled, nrow = nrow(hyp))^2))
  winners <- if ("top_sol" %in% names(hyp)) which(hyp$top_sol %in% TRUE) else seq_len(nrow(hyp))
  hyp$solID[winners][which.min(distance[winners])]
}

main <- function(args) {
  if (identical(args, "--check")) {
    require_packages()
    emit("KIRI_ROBYN_VERSION", as.character(utils::packageVersion("Robyn")))
    return(invisible())
  }
  if (length(args) != 3) {
    fail("usage: Rscript r/run_robyn.R <input.csv> <config.json> <outdir> | --check", EXIT_USAGE)
  }
  require_packages()
  emit_progress(0.02)
  cfg <- jsonlite::fromJSON(args[2], simplifyVector = FALSE)
  data <- utils::read.csv(args[1], stringsAsFactors = FALSE, check.names = FALSE)
  outdir <- normalizePath(args[3], mustWork = FALSE)
  dir.create(outdir, recursive = TRUE, showWarnings = FALSE)

  InputCollect <- build_inputs(data, cfg)
  emit_progress(0.10)
  OutputModels <- with_trial_progress(Robyn::robyn_run(
    InputCollect = InputCollect,
    iterations = as.integer(cfg$iterations %or% 2000),
    trials = as.integer(cfg$trials %or% 5),
    seed = as.integer(cfg$seed %or% 123),
    cores = parallel::detectCores(),
    ts_validation = isTRUE(cfg$ts_validation),
    add_penalty_factor = FALSE,
    outputs = FALSE
  ))
  emit_progress(0.85)
  OutputCollect <- Robyn::robyn_outputs(
    InputCollect, OutputModels,
    pareto_fronts = "auto", csv_out = "pareto", clusters = TRUE,
    plot_folder = outdir, plot_folder_sub = "robyn", plot_pareto = FALSE, export = TRUE
  )
  emit_progress(0.92)
  selected <- select_model(OutputCollect, !is.null(InputCollect$calibration_input))
  emit("KIRI_SELECTED", selected)
  Robyn::robyn_write(InputCollect, OutputCollect, select_model = selected,
                     dir = OutputCollect$plot_folder, export = TRUE)
  emit_progress(0.95)
  for (scenario in c("max_response", "target_efficiency")) {
    Robyn::robyn_allocator(InputCollect = InputCollect, OutputCollect = OutputCollect,
                           select_model = selected, scenario = scenario, export = TRUE)
  }
  emit_progress(1)
  emit("KIRI_OUTPUT", OutputCollect$plot_folder)
}

# Run when called by Rscript; `source()` only defines the functions (for tests).
if (sys.nframe() == 0L) {
  tryCatch(
    main(commandArgs(trailingOnly = TRUE)),
    error = function(e) fail(conditionMessage(e), EXIT_FAILED)
  )
}
