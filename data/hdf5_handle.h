#pragma once
// RAII ownership of HDF5 identifiers and small typed read/write helpers. Every failing HDF5
// call becomes a DataError that names the file and the object.
#include <hdf5.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace mmoe::data::h5 {

// Owns one hid_t and closes it with the matching H5*close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  ~Handle() { close(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void close();

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

// The HDF5 library is a serial build (not thread-safe): every HDF5 call made while another thread
// may be in the library (the prefetching loader's reader thread) holds this one lock.
std::mutex& library_mutex();

// Turns off HDF5's own error printing (errors come back as DataError instead).
void silence_library_errors();

// Throws DataError "<file>: <what> failed" when id < 0; returns a Handle otherwise.
Handle checked(hid_t id, Handle::Closer closer, const std::string& file, const std::string& what);
void check_status(herr_t status, const std::string& file, const std::string& what);

bool exists(hid_t location, const std::string& path);
std::vector<hsize_t> dataset_dims(hid_t dataset, const std::string& file, const std::string& name);

void write_string_attribute(hid_t object, const std::string& name, const std::string& value,
                            const std::string& file);
void write_int_attribute(hid_t object, const std::string& name, int64_t value, const std::string& file);
// Missing attributes throw DataError naming the file, object and attribute.
std::string read_string_attribute(hid_t object, const std::string& name, const std::string& file);
int64_t read_int_attribute(hid_t object, const std::string& name, const std::string& file);

}  // namespace mmoe::data::h5
