#include "reports/vectors/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ropebench {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("ropebench_npy_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A .npy file with this version-1 header text and these data bytes.
std::string Npy(const std::string& header, const std::string& data) {
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  return bytes + header + data;
}

TEST(NpyTest, RoundTripsEveryShapeRank) {
  for (const std::vector<int64_t>& shape :
       {std::vector<int64_t>{}, {5}, {2, 3}, {2, 3, 4}, {0, 3}}) {
    NpyArray array{"<f4", shape, {}};
    array.data.resize(static_cast<size_t>(array.items()) * 4);
    for (size_t i = 0; i < array.data.size(); ++i) array.data[i] = static_cast<unsigned char>(i);
    const std::string path = TempPath("roundtrip.npy");
    ASSERT_EQ(WriteNpy(path, array), "");
    NpyArray read;
    ASSERT_EQ(ReadNpy(path, read), "");
    EXPECT_EQ(read.descr, "<f4");
    EXPECT_EQ(read.shape, shape);
    EXPECT_EQ(read.data, array.data);
    std::remove(path.c_str());
  }
}

TEST(NpyTest, WritesNumpysAlignedHeader) {
  const std::string path = TempPath("aligned.npy");
  ASSERT_EQ(WriteNpy(path, {"<i8", {3}, std::vector<unsigned char>(24)}), "");
  std::ifstream file(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const size_t data_start = bytes.size() - 24;
  EXPECT_EQ(data_start % 64, 0u);  // NumPy aligns the data for memory mapping
  EXPECT_EQ(bytes[data_start - 1], '\n');
  EXPECT_NE(bytes.find("'shape': (3,)"), std::string::npos) << bytes;
  std::remove(path.c_str());
}

// Every malformed file gets a one-line error that names the file and the problem.
TEST(NpyTest, RefusesMalformedFilesNamingTheProblem) {
  const std::string good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const std::string eight(8, '\0');
  struct Row {
    std::string bytes;
    std::string error;
  } rows[] = {
      {"", "not a .npy file"},
      {"PK\x03\x04 a zip file", "not a .npy file"},
      {std::string("\x93NUMPY\x07\x00\x10\x00", 10) + good, "unsupported .npy format version 7"},
      {std::string("\x93NUMPY\x01\x00\xff\x00", 10) + "{'descr'", "truncated header"},
      {Npy(good, std::string(4, '\0')), "truncated: the header's shape needs 8 data bytes"},
      {Npy(good, std::string(12, '\0')), "4 bytes after the data"},
      {Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", eight),
       "dtype '>f4' is not one of"},
      {Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1), }", eight),
       "Fortran order is not supported"},
      {Npy("{'descr': '<f4', 'shape': (2,), }", eight), "header has no 'fortran_order'"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", eight),
       "not a non-negative integer"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", eight),
       "dimension too large"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", eight),
       "shape is too large"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", eight),
       "unknown key 'extra'"},
      {Npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", eight),
       "repeats 'descr'"},
      {Npy("['descr', '<f4']", eight), "header is not a dict"},
      {Npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}", eight), "not True or False"},
  };
  const std::string path = TempPath("bad.npy");
  for (const Row& row : rows) {
    WriteBytes(path, row.bytes);
    NpyArray read;
    const std::string error = ReadNpy(path, read);
    EXPECT_NE(error.find(row.error), std::string::npos) << error << " / expected: " << row.error;
    EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  std::remove(path.c_str());
  NpyArray read;
  EXPECT_NE(ReadNpy(path, read).find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace ropebench
