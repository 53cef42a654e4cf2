#pragma once

#include "common/Result.h"

#include <QString>

#include <optional>

// Sizes as docker's flags take them (--shm-size): binary units.
namespace ByteSize {

// "1g" -> 1073741824, as docker's RAMInBytes reads it.
Result<qint64> parse(const QString &text);
// The bytes of a size that is set and valid, for the wire bodies; nullopt for an empty or invalid
// one (LaunchSpec::validate() reports that).
std::optional<qint64> ifSet(const QString &text);
// 1073741824 -> "1g", 536870912 -> "512m": the largest unit that divides it whole, as parse() reads
// it back; bytes alone otherwise.
QString text(qint64 bytes);

} // namespace ByteSize
