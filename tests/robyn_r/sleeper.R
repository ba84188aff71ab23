# Test-only stand-in for a long Robyn run: starts a child R process (as Robyn's parallel
# workers would) that prints `CHILD <pid>`, prints `LEADER <pid>` and a progress line, then
# sleeps (argument "sleep") or exits at once leaving the child behind (argument "exit").
#   Rscript tests/robyn_r/sleeper.R sleep|exit
args <- commandArgs(trailingOnly = TRUE)
child <- 'cat("CHILD", Sys.getpid(), "\\n"); flush(stdout()); Sys.sleep(600)'
system2("Rscript", c("-e", shQuote(child)), wait = FALSE)
cat("LEADER", Sys.getpid(), "\n")
cat("KIRI_PROGRESS 0.5\n")
message("sleeper: started")
flush(stdout())
Sys.sleep(1)  # let the child start before "exit" leaves it behind
if (identical(args, "sleep")) Sys.sleep(600)
