#include "CgroupParser.h"

#include <QList>

namespace {

using Container = CgroupParser::Container;

// One path component: "docker-<id>.scope", "libpod-<id>", a bare "<id>" (given its parent)...
Container fromComponent(QStringView part, QStringView parent)
{
    struct Prefix
    {
        const char *text;
        const char *engine;
    };
    static const Prefix prefixes[] = {{"docker-", "docker"},
                                      {"libpod-", "podman"},
                                      {"cri-containerd-", "containerd"},
                                      {"crio-", "cri-o"}};
    QStringView body = part;
    if (body.endsWith(QLatin1String(".scope")))
        body.chop(6);
    for (const Prefix &p : prefixes) {
        const QLatin1String prefix(p.text);
        if (body.startsWith(prefix) && CgroupParser::isContainerId(body.mid(prefix.size())))
            return {body.mid(prefix.size()).toString(), QLatin1String(p.engine)};
    }
    if (!CgroupParser::isContainerId(part))
        return {};
    // A bare ID: its parent says whose.
    if (parent == QLatin1String("docker"))
        return {part.toString(), QStringLiteral("docker")};
    if (parent.startsWith(QLatin1String("pod")) || parent.startsWith(QLatin1String("kubepods")))
        return {part.toString(), QStringLiteral("containerd")};
    return {part.toString(), QString()};
}

Container fromPath(QStringView path)
{
    const QList<QStringView> parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    for (qsizetype i = parts.size() - 1; i >= 0; --i) {
        const Container c = fromComponent(parts.at(i), i > 0 ? parts.at(i - 1) : QStringView());
        if (c.isValid())
            return c;
    }
    return {};
}

} // namespace

bool CgroupParser::isContainerId(QStringView text)
{
    if (text.size() != 64)
        return false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (!((u >= '0' && u <= '9') || (u >= 'a' && u <= 'f')))
            return false;
    }
    return true;
}

Container CgroupParser::containerOf(const QByteArray &procCgroup)
{
    Container v1;
    const QString text = QString::fromUtf8(procCgroup);
    const QList<QStringView> lines = QStringView(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (QStringView line : lines) {
        // hierarchy-ID:controller-list:cgroup-path; the path may itself hold ':'.
        const qsizetype first = line.indexOf(QLatin1Char(':'));
        const qsizetype second = first < 0 ? -1 : line.indexOf(QLatin1Char(':'), first + 1);
        if (second < 0)
            continue;
        const Container c = fromPath(line.mid(second + 1).trimmed());
        if (!c.isValid())
            continue;
        if (line.left(first) == QLatin1String("0") && second == first + 1)
            return c; // the unified hierarchy
        if (!v1.isValid())
            v1 = c;
    }
    return v1;
}
