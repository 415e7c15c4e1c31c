#pragma once
#include "core/error.h"

namespace mmoe::data {

// A missing, corrupt or inconsistent dataset file; the message names the file and dataset.
class DataError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

}  // namespace mmoe::data
