namespace ContainerSdk.Core.Diagnostics;

/// <summary>
/// Every diagnostic code the SDK emits, in one place so codes are never reused.
/// 1xxx inputs (items and the files they name), 2xxx ACLs, 3xxx properties and image settings,
/// 4xxx outputs and the cache, 5xxx warnings of the layers and the cache, 6xxx registries, 7xxx the SquashFS image,
/// 9999 internal errors (bugs). A warning of another area takes that area's range (CSDK1060, CSDK7010).
/// </summary>
internal static class Codes
{
    public const string InputNotFound = "CSDK1001";
    public const string InputUnreadable = "CSDK1002";
    public const string UnsupportedInputFormat = "CSDK1003";
    public const string CorruptArchive = "CSDK1004";
    public const string CorruptCompression = "CSDK1005";
    public const string InvalidTargetPath = "CSDK1010";
    public const string UnknownOwner = "CSDK1011";
    public const string InvalidEnvironment = "CSDK1012";
    public const string InvalidRemove = "CSDK1013";
    public const string InvalidExclude = "CSDK1014";
    public const string NoLayers = "CSDK1015";
    public const string EntryEscapesRoot = "CSDK1020";
    public const string UnsafeLink = "CSDK1021";
    public const string FileChangedWhileReading = "CSDK1022";
    public const string InvalidBaseImage = "CSDK1040";
    public const string ImageReferenceNotFound = "CSDK1041";
    public const string ImagePlatformNotFound = "CSDK1042";
    public const string BlobDigestMismatch = "CSDK1043";
    public const string ModuleFileSyntax = "CSDK1050";
    public const string ModuleFileUnsupported = "CSDK1051";
    public const string ModuleFileLoadFails = "CSDK1052";
    public const string InvalidModulePrefix = "CSDK1053";
    /// <summary>Warning: execute{...}/source_sh (or a site package's load hook) runs at module load inside the image; its effect is not in the image config.</summary>
    public const string ModuleCommandAtLoad = "CSDK1054";
    /// <summary>A modulefile whose only effect on load is execute{...}/source_sh: the image config could hold nothing of it.</summary>
    public const string ModuleFileOnlyCommands = "CSDK1055";
    /// <summary>Warning: two Module items' modulefiles claim one family; Lmod keeps one loaded, the image config has both.</summary>
    public const string ModuleFamilyTwice = "CSDK1056";

    /// <summary>A base image's config has a media type the SDK does not know; it is read as an image config all the same.</summary>
    public const string BaseConfigTypeUnknown = "CSDK1060";

    /// <summary>Warning: an item carries a metadata name the SDK does not read (Inputs/ItemMetadata); it names the closest known one.</summary>
    public const string UnknownItemMetadata = "CSDK1070";

    /// <summary>Warning: an item uses an old metadata name (Exclude, Remove: MSBuild's own item attributes) for ExcludeFiles or RemovePaths.</summary>
    public const string RenamedItemMetadata = "CSDK1071";

    /// <summary>Warning: a tarball item ends where an entry's header would start, without the end-of-archive blocks (cut short?).</summary>
    public const string TarballWithoutEnd = "CSDK1072";

    /// <summary>BaseLayer projects that build on each other in a cycle (Images/BaseProjectChain).</summary>
    public const string ProjectCycle = "CSDK1044";

    public const string AclSyntax = "CSDK2001";
    public const string AclUnknownName = "CSDK2002";
    public const string AclPathNotFound = "CSDK2003";
    public const string AclInvalid = "CSDK2004";
    public const string AclOnBaseImage = "CSDK2005";

    public const string InvalidProperty = "CSDK3001";
    public const string InvalidTag = "CSDK3002";
    public const string InvalidRepository = "CSDK3003";
    public const string InvalidEpoch = "CSDK3004";
    public const string InvalidCompression = "CSDK3005";
    /// <summary>ContainerLayerCompressionLevel is not default, fastest or smallest.</summary>
    public const string InvalidCompressionLevel = "CSDK3070";
    public const string InvalidArchiveFormat = "CSDK3010";
    /// <summary>ContainerLmodSitePackage names no file.</summary>
    public const string InvalidLmodSitePackage = "CSDK3020";

    // ContainerSigningKey and ContainerSignatureStore (Signing/): reported at the property's line.
    /// <summary>ContainerSigningKey is a file that is no ECDSA P-256 private key, or a GPG key that cannot sign or is ambiguous.</summary>
    public const string SigningKeyInvalid = "CSDK3040";
    /// <summary>A GPG ContainerSigningKey without ContainerSignatureStore: the signatures would have nowhere to go.</summary>
    public const string SignatureStoreMissing = "CSDK3041";
    /// <summary>The key is encrypted and CONTAINERSDK_SIGNING_KEY_PASSWORD is unset or wrong.</summary>
    public const string SigningKeyPassphrase = "CSDK3042";
    /// <summary>No such key file, or no such secret key in GPG's keyring.</summary>
    public const string SigningKeyNotFound = "CSDK3043";
    public const string InvalidCacheMaxSize = "CSDK3065";
    public const string InvalidLayerSplitSize = "CSDK3060";

    public const string OutputWriteFailed = "CSDK4001";
    public const string BuildFolderLocked = "CSDK4002";
    public const string InvalidLayoutPath = "CSDK4003";
    /// <summary>The SBOM (ContainerSbomOutputPath) cannot be written: a folder is there, or the file system refuses it.</summary>
    public const string SbomNotWritten = "CSDK4010";

    public const string SocketSkipped = "CSDK5001";
    public const string AbsolutePathNormalized = "CSDK5002";
    public const string DuplicateEntry = "CSDK5003";
    public const string AclDroppedByFormat = "CSDK5004";
    public const string ZstdNotInDockerArchive = "CSDK5005";
    public const string CacheEntryRebuilt = "CSDK5006";
    public const string BasePlatformMismatch = "CSDK5007";
    public const string RegistryCacheUnusable = "CSDK5008";
    public const string ModulePathNotMoved = "CSDK5009";
    public const string ModuleDependencyNotProvided = "CSDK5010";
    public const string ModuleStatementIgnored = "CSDK5011";

    public const string InvalidRegistryReference = "CSDK6001";
    public const string RegistryUnreachable = "CSDK6002";
    public const string RegistryUnauthorized = "CSDK6003";
    public const string RegistryNotFound = "CSDK6004";
    public const string RegistryRequestFailed = "CSDK6005";
    public const string RegistryContentInvalid = "CSDK6006";
    public const string RegistryRedirectRejected = "CSDK6007";
    public const string RegistryCredentialsFailed = "CSDK6008";
    public const string RegistryTlsFailed = "CSDK6009";
    public const string RegistryNotAllowed = "CSDK6010";
    /// <summary>A registry, token server or storage host said nothing for as long as the operation may wait (ContainerRegistryTimeout).</summary>
    public const string RegistryTimedOut = "CSDK6011";
    /// <summary>A host the registry redirected to asked for credentials: they are the registry's, never sent there.</summary>
    public const string RegistryForeignChallenge = "CSDK6012";
    /// <summary>A manifest of a media type the SDK cannot read (not an OCI or Docker v2 manifest or index).</summary>
    public const string RegistryManifestTypeUnknown = "CSDK6013";

    /// <summary>gpg is missing or failed to sign or verify (its own message follows).</summary>
    public const string SigningFailed = "CSDK6020";
    /// <summary>A signature could not be written to ContainerSignatureStore.</summary>
    public const string SignatureStoreWriteFailed = "CSDK6021";
    /// <summary>The registry's <c>sha256-&lt;digest&gt;.sig</c> tag holds something that is not a signature manifest.</summary>
    public const string SigstoreManifestInvalid = "CSDK6022";

    // 7xxx: the SquashFS image (Squashfs/ the format; Acl/AclNarrowing, Acl/AclNarrowingReport: it cannot store POSIX ACLs).

    public const string SquashfsInvalidEntry = "CSDK7001";
    public const string SquashfsLimitExceeded = "CSDK7002";
    public const string SquashfsCompressorUnavailable = "CSDK7003";
    public const string SquashfsInvalidOptions = "CSDK7004";

    /// <summary>Warning: paths whose ACLs SquashFS cannot store got an owner, group and mode that grant less (narrowed), listed beside the image.</summary>
    public const string SquashfsAclNarrowed = "CSDK7010";

    /// <summary>The same paths under ContainerSquashfsAclPolicy=error: the build fails instead of narrowing them.</summary>
    public const string SquashfsAclNotStorable = "CSDK7011";

    /// <summary>Not a user mistake: an unexpected exception, reported with its stack trace.</summary>
    public const string InternalError = "CSDK9999";
}
