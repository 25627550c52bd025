using System.Text;
using ContainerSdk.Core.Acl;
using ContainerSdk.Core.IO;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// The bundle's ACL file, written as the flattened entries stream past: every path with an extended ACL,
/// in <c>getfacl -R -n</c> form with paths relative to the root, so that <c>setfacl --restore</c> run in
/// the extraction folder gives what <c>tar --acls</c> gives. An empty file is a valid dump: no ACLs.
/// </summary>
internal sealed class BundleAclDump : IDisposable
{
    private readonly TempFile _file;
    private readonly StreamWriter _writer;

    public BundleAclDump(string path)
    {
        _file = new TempFile(path);
        _writer = new StreamWriter(_file.Create(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
    }

    public int Count { get; private set; }

    public void Add(TarHeader header)
    {
        var acls = AclPax.Read(header.PaxRecordsRead);
        if (acls is null || acls.IsEmpty) return;
        var flags = (AclFlags)(header.Mode & 0xE00);
        // A folder with only a default ACL still gets its access lines, from the mode, as getfacl prints them.
        if (acls.Access is null) acls = acls with { Access = PosixAcl.FromMode(header.Mode) };
        AclDumpWriter.Write(_writer, new AclDumpEntry("/" + TarPath.Key(header.Name), (uint)header.Uid, (uint)header.Gid, flags, acls, Line: 0));
        Count++;
    }

    public void Commit()
    {
        _writer.Dispose();
        _file.Commit();
    }

    public void Dispose()
    {
        _writer.Dispose();
        _file.Dispose();
    }
}
