// The run-history role of the state store: one record per `cartsync run`
// and one per step it ran, for `cartsync state runs`, the metrics and
// `--due` (when a step last succeeded). Part of StateStore (state_store.h);
// each method is one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace cartsync {

struct RunRecord {
  int64_t id = 0;
  int64_t started_ms = 0, finished_ms = 0;
  std::string status;  ///< "running" | "ok" | "failed"
  std::string host;
  int64_t pid = 0;
  std::string summary_json;
};

struct StepRunRecord {
  int64_t run_id = 0;
  std::string step_id, cart_id, service;
  int64_t started_ms = 0, finished_ms = 0;
  bool ok = false;
  std::string error;
  std::string counts_json;
};

class RunStore {
 public:
  virtual ~RunStore() = default;

  /// Records a run (its `id` is ignored; an empty status is "running");
  /// the new run's id.
  virtual Result<int64_t> BeginRun(const RunRecord& run) = 0;
  /// Sets the run's final status ("ok" | "failed"), finish time and
  /// summary. NotFound when there is no such run.
  virtual Status FinishRun(int64_t run_id, const std::string& status, int64_t finished_ms,
                           const std::string& summary_json) = 0;
  /// Records one step of a run. Permanent when `step.run_id` names no run.
  virtual Status RecordStepRun(const StepRunRecord& step) = 0;
  /// When `step_id` last finished successfully (for --due): the latest
  /// finished_ms of its ok step runs; nullopt when it never succeeded.
  virtual Result<std::optional<int64_t>> LastSuccessMs(const std::string& step_id) = 0;
  /// Newest first (by started_ms, then id); at most `limit`, all when <= 0.
  virtual Result<std::vector<RunRecord>> Runs(int limit) = 0;
  /// The run's step records, in the order recorded.
  virtual Result<std::vector<StepRunRecord>> StepRuns(int64_t run_id) = 0;
};

}  // namespace cartsync
