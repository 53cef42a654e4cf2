#include "CliContext.h"
#include "Commands.h"

#include "common/Error.h"

int runCommand(CliContext &ctx, const QStringList &args)
{
    Q_UNUSED(args);
    return ctx.fail(Error(Error::Code::Unsupported, QStringLiteral("gpudeck run"),
                          QStringLiteral("not implemented yet")), 1);
}
