// Placeholder until this sample lands; replaced by the issue that owns it.
System.Console.WriteLine("This sample is not written yet.");
