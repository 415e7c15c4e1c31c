#pragma once
// Text and JSON for the reports of `mmoe data verify` and `mmoe data info`.
#include <string>

#include "data/dataset_info.h"
#include "data/dataset_verify.h"

namespace mmoe::cli {

// One line per problem ("<dir>/<file>: <dataset>: <message>"), notes, then a summary line.
std::string format_verify_report(const data::VerifyReport& report);
std::string verify_report_to_json(const data::VerifyReport& report);

std::string format_dataset_info(const data::DatasetInfoReport& report);
std::string dataset_info_to_json(const data::DatasetInfoReport& report);

}  // namespace mmoe::cli
