#pragma once
// A rank that fails must not leave the others waiting in a collective forever.
//
//   run_or_abort(communicator, [&] { trainer.fit(); },
//                [&](const std::string& why) { log_error(why); });
//
// runs `body`; if it throws, `report` gets the exception's message (log it: with several
// processes nothing runs after the abort), then communicator.abort(message) ends every rank of
// the job (MPI_Abort: the launcher exits non-zero). With a world of one, abort() returns and the
// exception is rethrown to the caller as usual.
#include <exception>
#include <functional>
#include <string>
#include <utility>

#include "distributed/communicator.h"

namespace mmoe::distributed {

template <typename Body>
decltype(auto) run_or_abort(Communicator& communicator, Body&& body,
                            const std::function<void(const std::string&)>& report = {}) {
  try {
    return std::forward<Body>(body)();
  } catch (const std::exception& e) {
    const std::string reason = "rank " + std::to_string(communicator.rank()) + " failed: " + e.what();
    if (report) report(reason);
    communicator.abort(reason);
    throw;
  }
}

}  // namespace mmoe::distributed
