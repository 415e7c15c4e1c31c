#include "data/hdf5_handle.h"

#include "data/data_error.h"

namespace mmoe::data::h5 {

std::mutex& library_mutex() {
  static std::mutex mutex;
  return mutex;
}


Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    close();
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = -1;
  }
  return *this;
}

void Handle::close() {
  if (id_ >= 0 && closer_ != nullptr) closer_(id_);
  id_ = -1;
}

void silence_library_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Handle checked(hid_t id, Handle::Closer closer, const std::string& file, const std::string& what) {
  if (id < 0) throw DataError(file + ": " + what + " failed");
  return Handle(id, closer);
}

void check_status(herr_t status, const std::string& file, const std::string& what) {
  if (status < 0) throw DataError(file + ": " + what + " failed");
}

bool exists(hid_t location, const std::string& path) {
  // H5Lexists needs every intermediate group to exist; check level by level.
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && H5Lexists(location, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

std::vector<hsize_t> dataset_dims(hid_t dataset, const std::string& file, const std::string& name) {
  const Handle space = checked(H5Dget_space(dataset), H5Sclose, file, "reading the shape of " + name);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw DataError(file + ": cannot read the shape of " + name);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

void write_string_attribute(hid_t object, const std::string& name, const std::string& value,
                            const std::string& file) {
  const Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, file, "string type");
  check_status(H5Tset_size(type.get(), value.empty() ? 1 : value.size()), file, "string size");
  const Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, file, "scalar space");
  const Handle attribute = checked(H5Acreate2(object, name.c_str(), type.get(), space.get(),
                                              H5P_DEFAULT, H5P_DEFAULT),
                                   H5Aclose, file, "creating attribute " + name);
  const std::string stored = value.empty() ? std::string(1, '\0') : value;
  check_status(H5Awrite(attribute.get(), type.get(), stored.data()), file, "writing attribute " + name);
}

void write_int_attribute(hid_t object, const std::string& name, int64_t value, const std::string& file) {
  const Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, file, "scalar space");
  const Handle attribute = checked(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space.get(),
                                              H5P_DEFAULT, H5P_DEFAULT),
                                   H5Aclose, file, "creating attribute " + name);
  check_status(H5Awrite(attribute.get(), H5T_NATIVE_INT64, &value), file, "writing attribute " + name);
}

std::string read_string_attribute(hid_t object, const std::string& name, const std::string& file) {
  if (H5Aexists(object, name.c_str()) <= 0) {
    throw DataError(file + ": attribute '" + name + "' is missing; is this an mmoe shard?");
  }
  const Handle attribute = checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, file,
                                   "opening attribute " + name);
  const Handle type = checked(H5Aget_type(attribute.get()), H5Tclose, file, "type of " + name);
  if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) > 0) {
    throw DataError(file + ": attribute '" + name + "' is not a fixed-length string");
  }
  std::string value(H5Tget_size(type.get()), '\0');
  check_status(H5Aread(attribute.get(), type.get(), value.data()), file, "reading attribute " + name);
  value.erase(value.find_last_not_of('\0') + 1);
  return value;
}

int64_t read_int_attribute(hid_t object, const std::string& name, const std::string& file) {
  if (H5Aexists(object, name.c_str()) <= 0) {
    throw DataError(file + ": attribute '" + name + "' is missing; is this an mmoe shard?");
  }
  const Handle attribute = checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, file,
                                   "opening attribute " + name);
  int64_t value = 0;
  check_status(H5Aread(attribute.get(), H5T_NATIVE_INT64, &value), file, "reading attribute " + name);
  return value;
}

}  // namespace mmoe::data::h5
