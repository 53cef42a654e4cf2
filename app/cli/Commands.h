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
int psCommand(CliContext &ctx, const QStringList &args);
int logsCommand(CliContext &ctx, const QStringList &args);
int stopCommand(CliContext &ctx, const QStringList &args);
int killCommand(CliContext &ctx, const QStringList &args);
int rmCommand(CliContext &ctx, const QStringList &args);
int pullCommand(CliContext &ctx, const QStringList &args);
int loginCommand(CliContext &ctx, const QStringList &args);
int logoutCommand(CliContext &ctx, const QStringList &args);
int execCommand(CliContext &ctx, const QStringList &args);
