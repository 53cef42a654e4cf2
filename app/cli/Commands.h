#pragma once

#include <QStringList>

class CliContext;

// One function per headless command; args are the words after the command's name.
int gpusCommand(CliContext &ctx, const QStringList &args);
int imagesCommand(CliContext &ctx, const QStringList &args);
int runCommand(CliContext &ctx, const QStringList &args);
int presetCommand(CliContext &ctx, const QStringList &args);
int doctorCommand(CliContext &ctx, const QStringList &args);
int swarmCommand(CliContext &ctx, const QStringList &args);
int enginesCommand(CliContext &ctx, const QStringList &args);
int execCommand(CliContext &ctx, const QStringList &args);
