#pragma once
// Errors about one image of an image manifest. The feature cache catches them per image, counts
// them by kind and lists them in its report; one bad image never ends a cache job.
#include <string>

#include "data/data_error.h"

namespace mmoe::data {

enum class ImageErrorKind {
  kMissing,      // the file does not exist or cannot be opened
  kTruncated,    // a JPEG or PNG whose data ends early or is corrupt
  kNotImage,     // neither JPEG nor PNG (by its first bytes)
  kUnsupported,  // a valid image this decoder cannot convert (e.g. zero size)
};
const char* to_string(ImageErrorKind kind);

class ImageError : public DataError {
 public:
  ImageError(ImageErrorKind kind, const std::string& message) : DataError(message), kind_(kind) {}
  ImageErrorKind kind() const { return kind_; }

 private:
  ImageErrorKind kind_;
};

}  // namespace mmoe::data
